package seed

// The data sets names are drawn from. They are mizzle's own, written for
// it and fixed: changing one changes every run's data, so the golden test
// of generated values fails when they change.

var firstNames = []string{
	"Ada", "Alan", "Amara", "Anton", "Aya", "Bea", "Bruno", "Carla", "Chen", "Dara",
	"Diego", "Edith", "Elif", "Emil", "Farah", "Felix", "Gita", "Grace", "Hana", "Hugo",
	"Ines", "Ivan", "Jonas", "Julia", "Kai", "Kemal", "Lena", "Leon", "Lina", "Luca",
	"Maya", "Milan", "Nadia", "Nico", "Noor", "Olga", "Omar", "Paula", "Pedro", "Quinn",
	"Rosa", "Ravi", "Sara", "Sven", "Tara", "Theo", "Uma", "Vera", "Yusuf", "Zoe",
}

var lastNames = []string{
	"Abara", "Berg", "Castro", "Dahl", "Eriksen", "Fontaine", "Garcia", "Haddad", "Ito", "Jensen",
	"Kaur", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rossi", "Silva", "Tanaka",
	"Umarov", "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Almeida", "Brandt", "Costa", "Dimitrov",
	"Novak", "Oliveira", "Park", "Reyes", "Schmidt", "Torres", "Walsh", "Kowalski", "Mensah", "Horvat",
}

var cities = []string{
	"Amsterdam", "Athens", "Bangkok", "Berlin", "Bogotá", "Cairo", "Cape Town", "Chicago", "Dublin", "Hanoi",
	"Helsinki", "Istanbul", "Jakarta", "Kyoto", "Lagos", "Lima", "Lisbon", "Madrid", "Melbourne", "Mexico City",
	"Montreal", "Mumbai", "Nairobi", "Oslo", "Prague", "Santiago", "Seoul", "Toronto", "Vienna", "Warsaw",
}

var countries = []string{
	"Argentina", "Australia", "Austria", "Brazil", "Canada", "Chile", "Colombia", "Czechia", "Egypt", "Finland",
	"France", "Germany", "Greece", "India", "Indonesia", "Ireland", "Italy", "Japan", "Kenya", "Mexico",
	"Netherlands", "Nigeria", "Norway", "Peru", "Poland", "Portugal", "South Korea", "Spain", "Thailand", "Vietnam",
}

var countryCodes = []string{
	"AR", "AU", "AT", "BR", "CA", "CL", "CO", "CZ", "EG", "FI",
	"FR", "DE", "GR", "IN", "ID", "IE", "IT", "JP", "KE", "MX",
	"NL", "NG", "NO", "PE", "PL", "PT", "KR", "ES", "TH", "VN",
}

var currencies = []string{"EUR", "USD", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "BRL"}

var streetNames = []string{
	"Oak", "Maple", "Harbor", "Mill", "Station", "Church", "River", "Park", "Garden", "Hill",
	"Lake", "Market", "Bridge", "Orchard", "Willow", "Cedar", "Meadow", "Forest", "Elm", "King",
}

var streetKinds = []string{"Street", "Avenue", "Road", "Lane", "Way", "Square"}

var states = []string{
	"Bavaria", "California", "Catalonia", "Ontario", "Queensland", "Texas", "Tuscany", "Victoria", "Yucatán", "Zealand",
}

var companyWords = []string{
	"Acme", "Blue", "Bright", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris",
	"Juniper", "Kestrel", "Lumen", "Meridian", "North", "Orbit", "Pioneer", "Quartz", "Summit", "Vertex",
}

var companySuffixes = []string{"Labs", "Systems", "Works", "Partners", "Group", "Studio", "Logistics", "Foods", "Energy", "Analytics"}

var jobTitles = []string{
	"Accountant", "Analyst", "Architect", "Data Engineer", "Designer", "Developer", "Editor", "Engineer", "Lawyer", "Manager",
	"Nurse", "Pharmacist", "Product Manager", "Researcher", "Sales Lead", "Scientist", "Support Agent", "Teacher", "Technician", "Writer",
}

// domains are the names RFC 2606 reserves for examples, so no generated
// address belongs to anyone.
var domains = []string{"example.com", "example.org", "example.net"}

var tickers = []string{
	"AAPL", "AMZN", "ASML", "BABA", "BTC", "ETH", "GOOG", "IBM", "INTC", "META",
	"MSFT", "NFLX", "NVDA", "ORCL", "SAP", "SHOP", "SOL", "TSLA", "UBER", "XOM",
}

var loremWords = []string{
	"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
	"eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "enim",
	"ad", "minim", "veniam", "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi", "aliquip",
	"ex", "ea", "commodo", "consequat", "duis", "aute", "irure", "in", "reprehenderit", "voluptate",
	"velit", "esse", "cillum", "fugiat", "nulla", "pariatur", "excepteur", "sint", "occaecat", "cupidatat",
}
